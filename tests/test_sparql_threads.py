"""The SPARQL check is safe to call from many server threads at once.

rdflib's SPARQL parser is not thread-safe while it warms up: in a fresh process, concurrent
parses fail (seen as HTTP 500 from /sparql under load). The check runs in a fresh interpreter
so the first, cold parses are the concurrent ones.
"""

import subprocess
import sys

SCRIPT = """
from concurrent.futures import ThreadPoolExecutor
from helsegraf.graph import sparql
Q = [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",
    "ASK { ?s a ?t OPTIONAL { ?s ?p ?o } }",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(lang(?l) = 'nb') }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 5",
]
def check(q):
    try:
        return sparql.check_query(q)
    except Exception as exc:
        return f"error: {exc!r}"
with ThreadPoolExecutor(16) as pool:
    forms = list(pool.map(check, Q * 40))
errors = [f for f in forms if f.startswith("error")]
print(len(errors), errors[:1])
"""


def test_concurrent_cold_checks_all_succeed() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("0 "), out.stdout
