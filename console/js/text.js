// SPDX-License-Identifier: Apache-2.0
// text.js: the API's offsets are BYTE offsets into the UTF-8 text (findings'
// start/end, search matches); JavaScript strings count UTF-16 code units.
// byteIndex() maps one to the other; marked() renders a text with ranges
// highlighted as <mark>, overlapping ranges included, as DOM nodes (the text
// is never parsed as HTML).

import { h } from './dom.js';

function utf8Len(cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

// byteIndex(text) -> fn(byteOffset) -> string index. An offset inside a
// character is rounded down to the character's start (up, with ceil=true);
// one past the end is the string's length.
export function byteIndex(text) {
  const bytes = [0];
  const index = [0];
  let b = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i);
    b += utf8Len(cp);
    i += cp > 0xffff ? 2 : 1;
    bytes.push(b);
    index.push(i);
  }
  return (off, ceil = false) => {
    if (!(off > 0)) return 0;
    if (off >= b) return text.length;
    let lo = 0;
    let hi = bytes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bytes[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    if (ceil && bytes[lo] < off) return index[lo + 1];
    return index[lo];
  };
}

// Byte ranges [[start, end, extra], ...] to string ranges {start, end, ...}.
export function toIndexRanges(text, ranges) {
  const at = byteIndex(text);
  return ranges
    .map((r) => ({ ...r, start: at(r.start), end: at(r.end, true) }))
    .filter((r) => r.end > r.start);
}

// marked(text, ranges): a fragment with each range in a <mark>. ranges are
// string ranges {start, end, cls, title, id}; where several overlap, the
// piece is marked once with all their titles. The first piece of a range
// with an id gets that id (to scroll to it).
export function marked(text, ranges) {
  const frag = document.createDocumentFragment();
  const cuts = new Set([0, text.length]);
  for (const r of ranges) {
    cuts.add(Math.max(0, Math.min(text.length, r.start)));
    cuts.add(Math.max(0, Math.min(text.length, r.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const started = new Set();
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    const piece = text.slice(a, b);
    const over = ranges.filter((r) => r.start <= a && r.end >= b);
    if (!over.length) {
      frag.appendChild(document.createTextNode(piece));
      continue;
    }
    const first = over.find((r) => r.id && !started.has(r.id));
    if (first) started.add(first.id);
    const cls = ['hl', ...over.map((r) => r.cls).filter(Boolean)].join(' ');
    const titles = [...new Set(over.map((r) => r.title).filter(Boolean))].join('；');
    frag.appendChild(h('mark', { class: cls, title: titles || null, id: first ? first.id : null }, piece));
  }
  return frag;
}
