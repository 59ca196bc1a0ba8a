// A small FAME KEM port on @noble/curves that mirrors src/Fhir.Phr.Abe (Fame.cs, FamePolicy.cs,
// FameKeys.cs) byte for byte, with injectable randomness, to make known-answer vectors.
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';

const r = bls.fields.Fr.ORDER;
const Fp12 = bls.fields.Fp12;
const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
const mod = (a) => ((a % r) + r) % r;
const mul = (P, k) => (mod(k) === 0n ? P.ZERO : P.multiply(mod(k)));
const inv = (a) => bls.fields.Fr.inv(mod(a));
const HASH_DST = 'FHIR-PHR-FAME-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
const KEM_SALT = utf8ToBytes('FHIR-PHR-FAME-KEM-V1');

export const scalarOf = (label) => {
  let n = 0n;
  for (const byte of sha256(utf8ToBytes(label))) n = (n << 8n) | BigInt(byte);
  return n % r;
};

const u16 = (n) => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
const u32 = (n) => new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
const scalarBytes = (s) => {
  const b = new Uint8Array(32);
  let t = mod(s);
  for (let i = 31; i >= 0; i--) { b[i] = Number(t & 0xffn); t >>= 8n; }
  return b;
};
const str = (s) => { const b = utf8ToBytes(s); return concatBytes(u16(b.length), b); };

const hashAttribute = (attr, l, t) => {
  const name = utf8ToBytes(attr);
  return bls.G1.hashToCurve(concatBytes(utf8ToBytes('A'), u32(name.length), name, new Uint8Array([l, t])), { DST: HASH_DST });
};
const hashColumn = (j, l, t) =>
  bls.G1.hashToCurve(concatBytes(utf8ToBytes('C'), u32(j), new Uint8Array([l, t])), { DST: HASH_DST });

// Policy parser: same grammar, precedence and threshold expansion as FamePolicy.cs.
export function parsePolicy(text) {
  let pos = 0;
  const isSpace = (c) => /\s/.test(c);
  const isBare = (c) => !isSpace(c) && !'(),"'.includes(c);
  const skip = () => { while (pos < text.length && isSpace(text[pos])) pos++; };
  const peekWord = () => { let e = pos; while (e < text.length && isBare(text[e])) e++; return [e === pos ? null : text.slice(pos, e), e]; };
  const keyword = (k) => { skip(); const [w, e] = peekWord(); if (w === null || w.toLowerCase() !== k) return false; pos = e; return true; };
  const expect = (c) => { skip(); if (text[pos] !== c) throw new Error(`expected ${c} at ${pos}`); pos++; };
  const leaf = (a) => ({ leaf: a });
  const expand = (k, items, from) => {
    const n = items.length - from;
    if (k === 1 || k === n) {
      let node = items[from];
      for (let i = from + 1; i < items.length; i++) node = k === 1 ? { or: [node, items[i]] } : { and: [node, items[i]] };
      return node;
    }
    return { or: [{ and: [items[from], expand(k - 1, items, from + 1)] }, expand(k, items, from + 1)] };
  };
  const primary = () => {
    skip();
    if (text[pos] === '(') { pos++; const n = orExpr(); expect(')'); return n; }
    if (text[pos] === '"') {
      pos++; let s = '';
      while (text[pos] !== '"') { if (text[pos] === '\\') pos++; s += text[pos++]; }
      pos++; return leaf(s);
    }
    const [w, e] = peekWord();
    pos = e;
    if (/^[0-9]+$/.test(w)) {
      const save = pos;
      if (keyword('of')) {
        expect('(');
        const items = [orExpr()];
        for (;;) { skip(); if (text[pos] === ',') { pos++; items.push(orExpr()); } else break; }
        expect(')');
        return expand(Number(w), items, 0);
      }
      pos = save;
    }
    return leaf(w);
  };
  const andExpr = () => { let n = primary(); while (keyword('and')) n = { and: [n, primary()] }; return n; };
  const orExpr = () => { let n = andExpr(); while (keyword('or')) n = { or: [n, andExpr()] }; return n; };
  const tree = orExpr();
  skip();
  if (pos !== text.length) throw new Error('trailing input');
  return tree;
}

// Lewko–Waters MSP, as MonotoneSpanProgram.Build.
export function buildMsp(tree) {
  const attrs = [], rows = [];
  let c = 1;
  const walk = (node, v) => {
    if (node.leaf !== undefined) { attrs.push(node.leaf); rows.push(v); return; }
    if (node.or) { walk(node.or[0], v); walk(node.or[1], v); return; }
    const left = [...v, ...Array(c - v.length).fill(0), 1];
    const right = [...Array(c).fill(0), -1];
    c++;
    walk(node.and[0], left);
    walk(node.and[1], right);
  };
  walk(tree, [1]);
  return { attrs, rows: rows.map((row) => [...row, ...Array(c - row.length).fill(0)]), cols: c };
}

export function setup(rand) {
  const [a1, a2, b1, b2, d1, d2, d3] = ['a1', 'a2', 'b1', 'b2', 'd1', 'd2', 'd3'].map((n) => rand(`setup/${n}`));
  const e = bls.pairing(G1.BASE, G2.BASE);
  const pk = { H1: mul(G2.BASE, a1), H2: mul(G2.BASE, a2), T1: Fp12.pow(e, mod(d1 * a1 + d3)), T2: Fp12.pow(e, mod(d2 * a2 + d3)) };
  const msk = { a1, a2, b1, b2, gd1: mul(G1.BASE, d1), gd2: mul(G1.BASE, d2), gd3: mul(G1.BASE, d3) };
  return { pk, msk };
}

export const pkBytes = (pk) => concatBytes(utf8ToBytes('FMPK'), new Uint8Array([1]), pk.H1.toBytes(true), pk.H2.toBytes(true), Fp12.toBytes(pk.T1), Fp12.toBytes(pk.T2));
export const mskBytes = (m) => concatBytes(utf8ToBytes('FMSK'), new Uint8Array([1]), ...[m.a1, m.a2, m.b1, m.b2].map(scalarBytes), ...[m.gd1, m.gd2, m.gd3].map((p) => p.toBytes(true)));

export function keygen(msk, attributes, rand) {
  const sorted = [...new Set(attributes)].sort();
  const r1 = rand('keygen/r1'), r2 = rand('keygen/r2');
  const br = [msk.b1 * r1, msk.b2 * r2, r1 + r2];
  const k0 = br.map((b) => mul(G2.BASE, b));
  const aInv = [inv(msk.a1), inv(msk.a2)];
  const keys = sorted.map((y) => {
    const sigma = rand(`keygen/sigma/${y}`);
    const k = [0, 1].map((t) => [1, 2, 3].reduce((acc, l) => acc.add(mul(hashAttribute(y, l, t + 1), br[l - 1] * aInv[t])), mul(G1.BASE, sigma * aInv[t])));
    k.push(mul(G1.BASE, -sigma));
    return [y, k];
  });
  const sp = rand('keygen/sigma-prime');
  const gd = [msk.gd1, msk.gd2];
  const kp = [0, 1].map((t) => [1, 2, 3].reduce((acc, l) => acc.add(mul(hashColumn(1, l, t + 1), br[l - 1] * aInv[t])), gd[t].add(mul(G1.BASE, sp * aInv[t]))));
  kp.push(msk.gd3.add(mul(G1.BASE, -sp)));
  return { k0, keys, kp };
}

export const userKeyBytes = (uk) => concatBytes(utf8ToBytes('FMUK'), new Uint8Array([1]),
  ...uk.k0.map((p) => p.toBytes(true)), ...uk.kp.map((p) => p.toBytes(true)), u16(uk.keys.length),
  ...uk.keys.flatMap(([name, k]) => [str(name), ...k.map((p) => p.toBytes(true))]));

export function encrypt(pk, policy, rand) {
  const msp = buildMsp(parsePolicy(policy));
  const s = [rand('encrypt/s1'), rand('encrypt/s2')];
  const c0 = [mul(pk.H1, s[0]), mul(pk.H2, s[1]), mul(G2.BASE, s[0] + s[1])];
  const rows = msp.attrs.map((attr, i) => [1, 2, 3].map((l) => [1, 2].reduce((acc, t) => {
    let inner = hashAttribute(attr, l, t);
    msp.rows[i].forEach((m, j) => {
      if (m === 1) inner = inner.add(hashColumn(j + 1, l, t));
      else if (m === -1) inner = inner.subtract(hashColumn(j + 1, l, t));
    });
    return acc.add(mul(inner, s[t - 1]));
  }, G1.ZERO)));
  const K = Fp12.mul(Fp12.pow(pk.T1, mod(s[0])), Fp12.pow(pk.T2, mod(s[1])));
  const header = concatBytes(utf8ToBytes('FMCT'), new Uint8Array([1]), str(policy), ...c0.map((p) => p.toBytes(true)),
    u16(rows.length), ...rows.flat().map((p) => p.toBytes(true)));
  const okm = hkdf(sha256, Fp12.toBytes(K), KEM_SALT, sha256(header), 64);
  const tag = hmac(sha256, okm.slice(32), header);
  return { key: okm.slice(0, 32), ciphertext: concatBytes(header, tag) };
}
