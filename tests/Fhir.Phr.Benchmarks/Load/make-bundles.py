#!/usr/bin/env python3
"""Writes the load test's transaction bodies, all synthetic: 1 new Patient + 1 DocumentReference;
an update of a stored Patient + 1 new DocumentReference of theirs (no new patient, so no new key
envelope to seal); and a 100-resource bundle (50 patients, each with one document)."""
import json, sys, uuid

def patient(i):
    return {"resourceType": "Patient",
            "identifier": [{"system": "urn:oid:1.2.36.146.595.217.0.1", "value": f"BENCH-{i}"}],
            "name": [{"family": f"Benchmark{i}", "given": ["Load"]}],
            "gender": "female", "birthDate": "1980-05-03"}

def document(ref):
    return {"resourceType": "DocumentReference", "status": "current",
            "type": {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]},
            "subject": {"reference": ref}, "date": "2024-03-01T10:00:00Z",
            "content": [{"attachment": {"contentType": "text/plain", "data": "SGVsbG8="}}]}

def bundle(pairs):
    entries = []
    for i in range(pairs):
        url = f"urn:uuid:{uuid.uuid4()}"
        entries.append({"fullUrl": url, "resource": patient(i), "request": {"method": "POST", "url": "Patient"}})
        entries.append({"resource": document(url), "request": {"method": "POST", "url": "DocumentReference"}})
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}

def existing():
    stored = dict(patient(0), id="bench-stored")
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": stored, "request": {"method": "PUT", "url": "Patient/bench-stored"}},
        {"resource": document("Patient/bench-stored"), "request": {"method": "POST", "url": "DocumentReference"}}]}

out = sys.argv[1]
json.dump(existing(), open(f"{out}/tx-stored.json", "w"))
json.dump(bundle(1), open(f"{out}/tx-2.json", "w"))
json.dump(bundle(50), open(f"{out}/tx-100.json", "w"))
