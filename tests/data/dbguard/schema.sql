-- SPDX-License-Identifier: Apache-2.0
-- The database levee dbguard's integration tests guard (tests/integration/
-- test_dbguard*.sh, dbguard_lib.sh): run as role app, the owner, in a fresh
-- database; the cases of tests/data/dbguard/cases.tsv run against it through
-- the guard. Small, deterministic data: the tests fingerprint every table's
-- rows before and after each refused statement. Roles app (owner, login)
-- and ops (superuser, login) are made by dbguard_lib.sh, as they are
-- cluster-wide.
SET client_min_messages = warning;

CREATE TABLE accounts (id int PRIMARY KEY, name text, balance numeric);
CREATE TABLE orders (id int PRIMARY KEY, account_id int, amount numeric, note text);
CREATE TABLE audit_log (id serial, msg text);

INSERT INTO accounts (id, name, balance)
SELECT i, 'account ' || i, (i * 137 % 1000) + 0.25 FROM generate_series(1, 50) AS i;
INSERT INTO accounts (id, name, balance)
VALUES (51, '张三', 1024.50), (52, 'DROP TABLE accounts', 0), (53, '陳大文', 88);
INSERT INTO orders (id, account_id, amount, note)
SELECT i, 1 + i % 50, (i * 31 % 500) + 0.5, CASE WHEN i % 10 = 0 THEN 'rush' ELSE 'order ' || i END
FROM generate_series(1, 200) AS i;
INSERT INTO audit_log (msg) VALUES ('created'), ('loaded');

-- Objects of other kinds, so that a DROP of each would destroy something.
CREATE INDEX orders_account_idx ON orders (account_id);
CREATE SCHEMA archive;
CREATE TABLE archive.old_orders (LIKE orders);
INSERT INTO archive.old_orders SELECT * FROM orders WHERE id <= 20;
-- On the archive only: a view on accounts or orders would make a DROP of
-- them fail by itself, and the tests want a DROP that would succeed.
CREATE VIEW archive.order_totals AS
  SELECT account_id, sum(amount) AS total FROM archive.old_orders GROUP BY account_id;
CREATE FUNCTION account_balance(p_id int) RETURNS numeric
  LANGUAGE sql STABLE AS 'SELECT balance FROM accounts WHERE id = p_id';
CREATE SEQUENCE invoice_seq START 1000;
GRANT SELECT ON accounts, orders TO ops;
