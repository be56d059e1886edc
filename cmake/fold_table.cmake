# SPDX-License-Identifier: Apache-2.0
# The normalization fold table (src/core/fold_table.h) is generated at build
# time by tools/gen_fold.c from utf8proc (NFKC_Casefold) and OpenCC's
# TSCharacters dictionary, so the run-time normalizer is one table lookup per
# code point. Filled in by the normalizer work.
