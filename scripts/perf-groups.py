#!/usr/bin/env python3
"""Groups the samples of a `perf record -g` profile of urlpoll by what they pay for (cryptography, kernel,
runtime, ...): the table in BENCHMARKS.md, "Where the CPU of a handshake poll goes".

Usage: scripts/perf-groups.py perf.data   (the profiled binary must still be where it was)
"""
import subprocess, sys, re, collections
data = sys.argv[1]
out = subprocess.run(["perf","report","-i",data,"--no-children","--sort","dso,symbol","-g","none","--percent-limit","0"],capture_output=True,text=True).stdout
cats = collections.OrderedDict((k,0.0) for k in ["key exchange (X25519)","signature check (P-256 ECDSA)","ML-KEM","hashing, HKDF, AES-GCM","BoringSSL other (parsing, state machine, X.509)","kernel (TCP, sockets, epoll)","malloc/free","Swift runtime (retain/release, exclusivity, casts)","SwiftNIO, NIOSSL glue and urlpoll","other"])
for line in out.splitlines():
    m = re.match(r"\s+([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
    if not m: continue
    pct, dso, kind, sym = float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()
    s = sym.lower()
    if kind == 'k' or 'kernel' in dso: c="kernel (TCP, sockets, epoll)"
    elif 'mlkem' in s or 'keccak' in s: c="ML-KEM"
    elif 'curve25519' in s or 'x25519' in s or 'fe_' in s[:3] or 'ge_' in s[:3] or s.startswith('fe_') : c="key exchange (X25519)"
    elif 'nistz256' in s or 'ecdsa' in s or 'beeu' in s or 'bn_' in s or 'p256' in s or 'ec_' in s[:3]: c="signature check (P-256 ECDSA)"
    elif 'sha256' in s or 'sha512' in s or 'hkdf' in s or 'aes' in s or 'gcm' in s or 'hmac' in s or 'ghash' in s: c="hashing, HKDF, AES-GCM"
    elif 'cniobor' in s or 'bssl' in s or 'cbb' in s or 'cbs' in s or 'asn1' in s or 'x509' in s or 'obj_' in s: c="BoringSSL other (parsing, state machine, X.509)"
    elif 'malloc' in s or 'free' in s or 'cfree' in s or 'chunk' in s or 'tcache' in s or 'consolidate' in s: c="malloc/free"
    elif s.startswith('swift_') or 'swift::' in s or 'refcount' in s or 'trycast' in s or 'getcache' in s or dso.startswith('libswiftCore') : c="Swift runtime (retain/release, exclusivity, casts)"
    elif s.startswith('$s') or 'libswift' in dso or 'urlpoll' in dso: c="SwiftNIO, NIOSSL glue and urlpoll"
    else: c="other"
    cats[c]+=pct
tot=sum(cats.values())
for k,v in cats.items(): print(f"{k}\t{v:.1f}")
print("total", round(tot,1))
