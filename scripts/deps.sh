#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages levee needs to build, test and benchmark.
# Idempotent and quick: it asks dpkg first and calls apt-get only for what is missing.
set -euo pipefail
pkgs=(
  # toolchain
  clang cmake ninja-build pkg-config make libclang-rt-14-dev clang-format clang-tidy
  # libraries (DESIGN.md)
  libvectorscan-dev libutf8proc-dev libopencc-dev opencc libyaml-dev libsodium-dev
  libgmime-3.0-dev libjansson-dev libcmocka-dev
  # levee serve: the HTTP server; its tests and load tests use curl and wrk,
  # and openssl to make a certificate for HTTPS
  libmicrohttpd-dev curl wrk python3-jsonschema openssl
  # alerts: webhooks and group robots (WeCom, DingTalk, Feishu) over HTTP(S)
  libcurl4-openssl-dev
  # the audit store: SQLite (FTS5), SHA-256 (OpenSSL's libcrypto), PostgreSQL
  libsqlite3-dev sqlite3 libssl-dev libpq-dev postgresql
  # attachments: OCR (Tesseract, Chinese and English models), images (Leptonica),
  # QR codes (zbar), office files (libzip, libxml2), PDF (poppler)
  libtesseract-dev tesseract-ocr-chi-sim tesseract-ocr-eng libleptonica-dev libzbar-dev
  libzip-dev libxml2-dev libpoppler-glib-dev
  # test and demo photos and documents are generated (make run draws the demo's):
  # fonts, ImageMagick, the tesseract CLI (the OCR benchmark's reference), QR codes, zip
  fonts-noto-cjk imagemagick tesseract-ocr qrencode zip
  # levee trace --format dot is drawn with Graphviz (dot -Tsvg); its test renders it
  graphviz
  # test and benchmark references
  python3 python3-stdnum python3-jieba yara ripgrep libyara-dev
  # the web console's browser tests: Playwright drives Debian's Chromium
  chromium
  # levee dbguard: PostgreSQL's parser (libpg_query), the event loop (libuv),
  # TLS (libssl-dev, above); its tests and benchmark drive psql and pgbench
  # (postgresql, above) and compare with PgBouncer
  libpg-query-dev libuv1-dev pgbouncer
)
# The web console's build (ECharts from npm) and its browser tests
# (playwright-core) need Node.js 18 or later with npm. It is not installed
# from Debian here, so as not to put Debian's nodejs over the one the
# machine has; say so when it is missing.
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "deps: npm is missing: install Node.js 18 or later with npm (nodejs.org, or your distribution's nodejs and npm); the web console is built and tested with it" >&2
elif [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 18 ]; then
  echo "deps: Node.js $(node --version) is too old for the web console's tools: 18 or later is needed" >&2
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
