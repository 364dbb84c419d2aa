#!/bin/sh
# Regenerates jargon.txt from Debian's dict-jargon package (apt-get install -y dict-jargon).
# Drops the dictd header entries, transliterates to ASCII (the model is byte-level; ASCII keeps
# one character per byte) and strips the four-space indentation of the dictd layout.
set -e
SRC=${1:-/usr/share/dictd/jargon.dict.dz}
zcat "$SRC" \
  | awk 'BEGIN{p=0} /^\(TM\)$/{p=1} p' \
  | iconv -f UTF-8 -t ASCII//TRANSLIT \
  | sed -e 's/^    //' -e 's/[[:space:]]*$//' \
  | cat -s > "$(dirname "$0")/jargon.txt"
