#!/usr/bin/env python3
"""Writes the load test's transaction bodies, all synthetic: 1 new Patient + 1 DocumentReference;
an update of a stored Patient + 1 new DocumentReference of theirs (no new patient, so no new key
envelope to seal); a 100-resource bundle of 50 patients, each with one document (one envelope to
seal per two resources, the worst case); and a 100-resource bundle of one patient's record, as an
EMR sends it (1 Patient, 80 DocumentReferences, 19 ImagingStudies)."""
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

def study(ref, n):
    uid = f"2.25.{141950419381853459291474262046171010234 + n}"
    instance = {"uid": f"{uid}.1.1", "number": 1,
                "sopClass": {"system": "urn:ietf:rfc:3986", "code": "urn:oid:1.2.840.10008.5.1.4.1.1.1"}}
    return {"resourceType": "ImagingStudy", "status": "available",
            "identifier": [{"system": "urn:dicom:uid", "value": f"urn:oid:{uid}"}],
            "subject": {"reference": ref}, "started": "2024-02-01T08:30:00Z",
            "modality": [{"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "CR"}],
            "numberOfSeries": 1, "numberOfInstances": 1,
            "series": [{"uid": f"{uid}.1", "number": 1, "instance": [instance],
                        "modality": {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "CR"}}]}

def record(documents, studies):
    url = f"urn:uuid:{uuid.uuid4()}"
    entries = [{"fullUrl": url, "resource": patient(0), "request": {"method": "POST", "url": "Patient"}}]
    entries += [{"resource": document(url), "request": {"method": "POST", "url": "DocumentReference"}} for _ in range(documents)]
    entries += [{"resource": study(url, n), "request": {"method": "POST", "url": "ImagingStudy"}} for n in range(studies)]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}

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
json.dump(record(80, 19), open(f"{out}/tx-record-100.json", "w"))
