// Regenerates vectors.json: cross-check values for Fhir.Phr.Abe computed by @noble/curves.
// Usage: npm ci && node gen-vectors.mjs > vectors.json
// Inputs are deterministic: scalar(label) = SHA-256(utf8(label)) mod r, so the C# tests can
// rebuild them with Scalar.FromBigEndian(SHA256(label)).
import { bls12_381 as bls } from '@noble/curves/bls12-381.js';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import * as fame from './fame.mjs';

const r = bls.fields.Fr.ORDER;
const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
const hex = (b) => bytesToHex(b);
const scalarOf = (label) => {
  let n = 0n;
  for (const byte of sha256(utf8ToBytes(label))) n = (n << 8n) | BigInt(byte);
  return n % r;
};
const mul = (P, k) => (k === 0n ? P.ZERO : P.multiply(k));
const gtHex = (g) => hex(bls.fields.Fp12.toBytes(g));

const labels = ['a', 'b', 'c', 'fhir', 'phr', 'abe', 'pairing', 'noble'];

const g1 = labels.map((label) => {
  const P = mul(G1.BASE, scalarOf(label));
  return { label, compressed: hex(P.toBytes(true)), uncompressed: hex(P.toBytes(false)) };
});
const g2 = labels.map((label) => {
  const P = mul(G2.BASE, scalarOf(label));
  return { label, compressed: hex(P.toBytes(true)), uncompressed: hex(P.toBytes(false)) };
});

const pairings = [['a', 'b'], ['fhir', 'phr'], ['abe', 'noble']].map(([la, lb]) => {
  const P = mul(G1.BASE, scalarOf(la));
  const Q = mul(G2.BASE, scalarOf(lb));
  const e = bls.pairing(P, Q);
  // In-generator bilinearity check: e(aP, bQ) = e(P, Q)^(ab).
  const base = bls.pairing(G1.BASE, G2.BASE);
  const expected = bls.fields.Fp12.pow(base, (scalarOf(la) * scalarOf(lb)) % r);
  if (!bls.fields.Fp12.eql(e, expected)) throw new Error('bilinearity failed in noble');
  return { a: la, b: lb, gt: gtHex(e) };
});
const generatorPairing = gtHex(bls.pairing(G1.BASE, G2.BASE));

const quux = (suite) => `QUUX-V01-CS02-with-${suite}`;
const rfcMessages = ['', 'abc', 'abcdef0123456789', 'q128_' + 'q'.repeat(128), 'a512_' + 'a'.repeat(512)];
const appDst = 'FHIR-PHR-TEST-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_';
const appDst2 = 'FHIR-PHR-TEST-V01-CS01-with-BLS12381G2_XMD:SHA-256_SSWU_RO_';
const randomMessages = ['patient/123', 'grant:pat-1:read', 'role:physician', '\u00e9\u00e8 unicode', 'x'.repeat(300)];
const h2c = (group, msgs, dst) => msgs.map((msg) => {
  const P = bls[group].hashToCurve(utf8ToBytes(msg), { DST: dst });
  return { msg, dst, compressed: hex(P.toBytes(true)), uncompressed: hex(P.toBytes(false)) };
});

const expandDst = 'QUUX-V01-CS02-with-expander-SHA256-128';
const expand = [];
for (const len of [0x20, 0x80]) {
  for (const msg of ['', 'abc', 'abcdef0123456789', 'q128_' + 'q'.repeat(128), 'a512_' + 'a'.repeat(512)]) {
    expand.push({ msg, dst: expandDst, len, out: hex(expand_message_xmd(utf8ToBytes(msg), expandDst, len, sha256)) });
  }
}

const popDst = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';
const sigs = ['sk-1', 'sk-2', 'sk-3'].map((label, i) => {
  const sk = scalarOf(label);
  const msg = `message ${i} for ${label}`;
  const skBytes = new Uint8Array(32);
  let t = sk;
  for (let j = 31; j >= 0; j--) { skBytes[j] = Number(t & 0xffn); t >>= 8n; }
  const long = bls.longSignatures;
  const pk = long.getPublicKey(skBytes);
  const H = long.hash(utf8ToBytes(msg), popDst);
  const sig = long.sign(H, skBytes);
  if (!long.verify(sig, H, pk)) throw new Error('noble failed to verify its own signature');
  return { label, msg, publicKey: hex(pk.toBytes(true)), signature: hex(sig.toBytes(true)) };
});

// FAME known answers: every random draw is scalarOf('fame/' + label) so C# can replay them.
const rand = (label) => fame.scalarOf(`fame/${label}`);
const { pk, msk } = fame.setup(rand);
const famePolicies = [
  { policy: 'owner:pat-1 or (grant:pat-1:read and role:physician)', attributes: ['role:physician', 'grant:pat-1:read'] },
  { policy: '2 of (a, b, "c d")', attributes: ['c d', 'a'] },
];
const fameVectors = {
  publicKey: hex(fame.pkBytes(pk)),
  masterKey: hex(fame.mskBytes(msk)),
  cases: famePolicies.map(({ policy, attributes }) => {
    const uk = fame.keygen(msk, attributes, rand);
    const { key, ciphertext } = fame.encrypt(pk, policy, rand);
    return { policy, attributes, userKey: hex(fame.userKeyBytes(uk)), ciphertext: hex(ciphertext), key: hex(key) };
  }),
};

const out = {
  generator: {
    g1Compressed: hex(G1.BASE.toBytes(true)),
    g2Compressed: hex(G2.BASE.toBytes(true)),
    pairing: generatorPairing,
  },
  g1, g2, pairings,
  hashToG1: [...h2c('G1', rfcMessages, quux('BLS12381G1_XMD:SHA-256_SSWU_RO_')), ...h2c('G1', randomMessages, appDst)],
  hashToG2: [...h2c('G2', rfcMessages, quux('BLS12381G2_XMD:SHA-256_SSWU_RO_')), ...h2c('G2', randomMessages, appDst2)],
  expandMessageXmd: expand,
  blsMinPk: { dst: popDst, cases: sigs },
  fame: fameVectors,
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
