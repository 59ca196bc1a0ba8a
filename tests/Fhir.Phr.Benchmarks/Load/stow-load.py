#!/usr/bin/env python3
"""STOW-RS ingestion benchmark (issue #4): stores N distinct DICOM instances, made from
pydicom's CT_small.dcm by rewriting its UIDs and patient id in place (same lengths, so every
file stays valid), 100 instances per study and patient, in multipart batches. Prints the
time, instances per second and the server's peak resident memory.

Usage: stow-load.py BASE_URL SERVER_PID [COUNT] [BATCH] [TOKEN]"""
import json, sys, time, urllib.request, uuid

from process_stats import peak_rss_mib

CORPUS = "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"
STUDY = b"1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
SERIES = b"1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322"
INSTANCE = b"1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"
PATIENT = b"1CT1"


def instance(template: bytes, i: int) -> bytes:
    group = i // 100
    out = template
    for old, new in ((INSTANCE, INSTANCE[:-5] + b"%05d" % (10000 + i)),
                     (SERIES, SERIES[:-5] + b"%05d" % (30000 + group)),
                     (STUDY, STUDY[:-5] + b"%05d" % (20000 + group)),
                     (PATIENT, b"%04d" % group)):
        assert len(old) == len(new)
        out = out.replace(old, new)
    return out


def main() -> None:
    base, pid = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    token = sys.argv[5] if len(sys.argv) > 5 else None
    template = open(CORPUS, "rb").read()
    files = [instance(template, i) for i in range(count)]
    start = time.perf_counter()
    for at in range(0, count, batch):
        boundary = uuid.uuid4().hex
        body = b"".join(b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + f + b"\r\n" for f in files[at:at + batch])
        body += b"--" + boundary.encode() + b"--\r\n"
        request = urllib.request.Request(base + "/dicomweb/studies", data=body, method="POST")
        request.add_header("Content-Type", f'multipart/related; type="application/dicom"; boundary={boundary}')
        if token:
            request.add_header("Authorization", "Bearer " + token)
        with urllib.request.urlopen(request) as response:
            result = json.load(response)
            if response.status != 200 or "00081198" in result:
                sys.exit(f"batch at {at}: HTTP {response.status} {json.dumps(result)[:500]}")
    elapsed = time.perf_counter() - start
    print(f"| STOW-RS, {count} instances in batches of {batch} | {elapsed:.1f} s | {count / elapsed:.0f} instances/s | peak RSS {peak_rss_mib(pid):.0f} MiB |")


if __name__ == "__main__":
    main()
