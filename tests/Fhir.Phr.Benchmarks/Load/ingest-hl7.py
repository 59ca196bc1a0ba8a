#!/usr/bin/env python3
"""End-to-end $ingest benchmark (issue #5): one file of COUNT synthetic HL7 v2 ADT^A04 messages (made-up
names, birth dates, addresses and MRNs, seeded by a per-run MRN prefix, so every run registers new patients), posted once to $ingest; polls the status URL until the job ends. Prints the time from the POST to
the finished outcome, messages per second, what the outcome says (stored, linked, in review, rejected) and
the server's peak resident memory (VmHWM).

Usage: ingest-hl7.py BASE_URL SERVER_PID [COUNT] [DATA_DIR]
DATA_DIR holds the server's admin-client.json (default: data); a token is fetched with it (client_credentials)."""
import base64, json, random, sys, time, urllib.parse, urllib.request, uuid

from process_stats import peak_rss_mib

FAMILY = ["Abbott", "Achterberg", "Baptiste", "Bergstrom", "Calloway", "Castellano", "Dimitrov", "Drummond", "Eklund",
          "Fairweather", "Falkner", "Gallagher", "Haddad", "Halvorsen", "Ibarra", "Jankowski", "Kastner", "Kowalczyk",
          "Lindqvist", "Lockhart", "Maddox", "Marchetti", "Nakamura", "Novak", "Okonkwo", "Ostrowski", "Pellegrino",
          "Quintero", "Radcliffe", "Rasmussen", "Sandoval", "Szabo", "Takahashi", "Thornbury", "Umarov", "Valentin",
          "Vasquez", "Whitcombe", "Wojcik", "Yamamoto", "Zielinski", "Ashdown", "Brennan", "Corrigan", "Delacroix",
          "Esposito", "Fitzgerald", "Gutierrez", "Holloway", "Iversen"]
GIVEN_F = ["Maren", "Anna", "Beatriz", "Chloe", "Dagny", "Elena", "Freya", "Greta", "Hana", "Ines", "Jana", "Kira",
           "Lena", "Marta", "Nora", "Olga", "Petra", "Rosa", "Sofia", "Tove"]
GIVEN_M = ["Anders", "Bruno", "Carlos", "Dmitri", "Emil", "Felix", "Goran", "Hugo", "Ivan", "Jonas", "Karl", "Luca",
           "Mateo", "Nils", "Oskar", "Pavel", "Rafael", "Stefan", "Tomas", "Viktor"]
STREETS = ["Harbour Road", "Mill Lane", "Station Street", "Church Walk", "Orchard Close", "High Street", "Quay Side"]
CITIES = [("Portsmouth", "PO1 3AX"), ("Bristol", "BS1 4DJ"), ("Leeds", "LS1 5QS"), ("Norwich", "NR2 1TF"), ("York", "YO1 7HH")]


def messages(count: int) -> bytes:
    # New people every run (seeded by the run's MRN prefix): the same demographics under new MRNs of the same system
    # would rightly go to review (twins have their own MRNs), which is not what this measures.
    run = uuid.uuid4().hex[:6].upper()
    rng = random.Random(run)
    out = []
    for i in range(count):
        sex = rng.choice("FM")
        given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
        family = rng.choice(FAMILY)
        birth = f"{rng.randint(1930, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        city, postcode = rng.choice(CITIES)
        street = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
        phone = f"{rng.randint(1000000, 9999999)}"
        out.append("\r".join([
            f"MSH|^~\\&|ADTSYS|NORTHWIND^2.16.840.1.113883.3.9999.1^ISO|PHR|FHIRPHR|20260312083000+0100||ADT^A04^ADT_A01|B{run}{i:06d}|P|2.5.1",
            "EVN|A04|20260312083000",
            f"PID|1||{run}{i:06d}^^^NORTHWIND&2.16.840.1.113883.3.9999.1&ISO^MR||{family}^{given}^^^^^L||{birth}|{sex}|||{street}^^{city}^^{postcode}^GBR^H||^PRN^PH^^44^20^{phone}",
            "PV1|1|O",
        ]) + "\r")
    return "".join(out).encode()


def token(base: str, data_dir: str) -> str:
    client = json.load(open(f"{data_dir}/admin-client.json"))
    request = urllib.request.Request(base + "/auth/token", method="POST",
                                     data=urllib.parse.urlencode({"grant_type": "client_credentials", "scope": "system/*.cruds"}).encode())
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode())
    with urllib.request.urlopen(request) as response:
        return json.load(response)["access_token"]


def main() -> None:
    base, pid = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    data_dir = sys.argv[4] if len(sys.argv) > 4 else "data"
    body = messages(count)
    start = time.perf_counter()
    request = urllib.request.Request(base + "/$ingest", data=body, method="POST")
    request.add_header("Content-Type", "x-application/hl7-v2+er7")
    request.add_header("Authorization", "Bearer " + token(base, data_dir))
    with urllib.request.urlopen(request) as response:
        status_url = response.headers["Content-Location"]
    last = 0.0
    while True:
        time.sleep(2)
        # Tokens live 5 minutes; a fresh one per poll costs a few milliseconds.
        poll = urllib.request.Request(status_url)
        poll.add_header("Authorization", "Bearer " + token(base, data_dir))
        with urllib.request.urlopen(poll) as response:
            if response.status == 202:
                if time.perf_counter() - last > 30:
                    last = time.perf_counter()
                    print(f"  {last - start:.0f} s: {response.headers.get('X-Progress')}", file=sys.stderr)
                continue
            outcome = json.load(response)
            break
    elapsed = time.perf_counter() - start
    issues = outcome.get("issue", [])
    said = lambda prefix: sum(1 for i in issues if i.get("diagnostics", "").startswith(prefix))
    errors = sum(1 for i in issues if i.get("severity") == "error")
    print(f"| $ingest, {count} ADT messages in one file | {elapsed:.1f} s | {count / elapsed:.1f} messages/s "
          f"| stored {said('stored Patient/')} patients, linked {said('linked to')}, review {said('sent to review')}, errors {errors} "
          f"| peak RSS {peak_rss_mib(pid):.0f} MiB |")


if __name__ == "__main__":
    main()
