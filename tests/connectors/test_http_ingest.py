import threading
import time
import urllib.error
import urllib.request

import orjson
import pytest

from streamlearn.connectors.http_ingest import HTTPIngestSource
from streamlearn.core.schema import Schema

# straight to loopback, whatever proxy the environment names
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url, body, method="POST"):
    """(status, headers, JSON answer) of a request to the real server."""
    request = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, orjson.loads(error.read())


def _events(n, start=0):
    return [{"amount": float(i), "country": ["FR", "DE"][i % 2], "y": i % 2}
            for i in range(start, start + n)]


SCHEMA = Schema(target="y", numeric=["amount"], categorical=["country"])


def test_objects_arrays_and_json_lines_read_back_as_posted():
    events = _events(6)
    with HTTPIngestSource(schema=SCHEMA) as source:
        assert source.url.startswith("http://127.0.0.1:") and source.url.endswith("/events")
        assert post(source.url, orjson.dumps(events[0]))[::2] == (202, {"accepted": 1})
        assert post(source.url, orjson.dumps(events[1:4]))[::2] == (202, {"accepted": 3})
        lines = b"\n".join(orjson.dumps(e) for e in events[4:]) + b"\n"
        assert post(source.url, lines)[::2] == (202, {"accepted": 2})
        decoded = source.read(4)
        rest = source.read(100, timeout_ms=100)
        assert source.position() == 6
    batches = [decoded.batch, rest.batch]
    assert [i for b in batches for i in b.ids.tolist()] == [f"http:{n}" for n in range(6)]
    assert [x for b in batches for x in b.X[:, 0].tolist()] == [e["amount"] for e in events]
    assert [c for b in batches for c in b.categorical["country"].tolist()] == [
        e["country"] for e in events]
    assert [v for b in batches for v in b.y.tolist()] == [e["y"] for e in events]
    assert decoded.dead_letters == rest.dead_letters == []


def test_bad_events_become_dead_letters_when_read():
    with HTTPIngestSource(schema=Schema(id="tx", target="y", numeric=["amount"])) as source:
        body = orjson.dumps([{"tx": "a", "amount": 1.0, "y": 0}, 7,
                             {"tx": "b", "amount": "lots", "y": 1},
                             {"amount": 2.0, "y": 1}])
        assert post(source.url, body)[::2] == (202, {"accepted": 4})
        lines = b'{"tx": "c", "amount": 3.0, "y": 0}\n{"tx": "d", "amount": \n'
        assert post(source.url, lines)[::2] == (202, {"accepted": 2})
        decoded = source.read(10)
    assert decoded.batch.ids.tolist() == ["a", "http:3", "c"]
    assert decoded.batch.X[:, 0].tolist() == [1.0, 2.0, 3.0]
    assert [(d.index, d.reason) for d in decoded.dead_letters] == [
        (1, "event 1 is a number, not a JSON object"),
        (2, "column 'amount' of event 2 holds 'lots', which is not a number"),
        (5, "event 5 is not valid JSON: unexpected end of data"),
    ]
    assert decoded.dead_letters[1].payload == {"tx": "b", "amount": "lots", "y": 1}


@pytest.mark.parametrize("body", [b"not json", b"", b'{"amount": ', b"42", b"1\n2\n"])
def test_a_body_that_is_not_json_events_is_refused_with_400(body):
    with HTTPIngestSource() as source:
        status, headers, answer = post(source.url, body)
        assert status == 400 and headers["Content-Type"] == "application/json"
        assert answer == {"error": "the body is not JSON: send a JSON object, a JSON array of "
                                   "objects, or JSON lines"}
        assert len(source.read(10).batch) == 0 and source.position() == 0


def test_a_body_over_the_limit_is_refused_with_413():
    with HTTPIngestSource(max_body_bytes=200) as source:
        status, _, answer = post(source.url, orjson.dumps(_events(20)))
        assert status == 413
        assert "over the limit of 200 (max_body_bytes)" in answer["error"]
        assert post(source.url, orjson.dumps(_events(2)))[0] == 202  # the server goes on
        assert len(source.read(10).batch) == 2


def test_a_full_queue_answers_503_with_retry_after_and_takes_nothing():
    with HTTPIngestSource(schema=SCHEMA, max_queue=5) as source:
        assert post(source.url, orjson.dumps(_events(4)))[::2] == (202, {"accepted": 4})
        status, headers, answer = post(source.url, orjson.dumps(_events(2, start=4)))
        assert (status, headers["Retry-After"]) == (503, "1")
        assert answer == {"error": "the queue is full; retry later"}
        status, _, answer = post(source.url, orjson.dumps(_events(6)))
        assert status == 413 and "more than the queue holds (5, max_queue)" in answer["error"]
        assert source.read(3).batch.X[:, 0].tolist() == [0.0, 1.0, 2.0]
        # after the reader drained some, the same body is accepted whole
        assert post(source.url, orjson.dumps(_events(2, start=4)))[::2] == (202, {"accepted": 2})
        assert source.read(10).batch.X[:, 0].tolist() == [3.0, 4.0, 5.0]


def test_read_waits_up_to_the_timeout_for_the_first_event():
    with HTTPIngestSource(schema=SCHEMA) as source:
        started = time.monotonic()
        assert len(source.read(10, timeout_ms=150).batch) == 0
        assert time.monotonic() - started >= 0.14
        poster = threading.Thread(target=lambda: (time.sleep(0.1),
                                                  post(source.url, orjson.dumps(_events(1)))))
        poster.start()
        decoded = source.read(10, timeout_ms=5000)
        poster.join()
        assert decoded.batch.ids.tolist() == ["http:0"]


def test_concurrent_clients_lose_nothing():
    with HTTPIngestSource(schema=SCHEMA) as source:
        def client(k):
            for j in range(10):
                post(source.url, orjson.dumps(_events(5, start=100 * k + 5 * j)))

        clients = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        decoded = source.read(1000)
    assert sorted(decoded.batch.X[:, 0].tolist()) == sorted(
        float(100 * k + i) for k in range(4) for i in range(50))
    assert decoded.batch.ids.tolist() == [f"http:{n}" for n in range(200)]


def test_seek_continues_the_numbering_after_a_restart():
    with HTTPIngestSource(schema=SCHEMA) as source:
        post(source.url, orjson.dumps(_events(3)))
        source.read(10)
        position = source.position()
    assert position == 3
    with HTTPIngestSource(schema=SCHEMA) as restarted:
        restarted.seek(position)
        post(restarted.url, orjson.dumps(_events(2)))
        assert restarted.read(10).batch.ids.tolist() == ["http:3", "http:4"]


def test_other_paths_and_methods_and_close():
    source = HTTPIngestSource(path="/ingest")
    with pytest.raises(RuntimeError, match="call open"):
        source.url  # noqa: B018
    source.open()
    url = source.url
    base = url.removesuffix("/ingest")
    assert post(base + "/events", b"{}")[::2] == (404, {"error": "POST events to /ingest"})
    status, headers, _ = post(url, None, method="GET")
    assert (status, headers["Allow"]) == (405, "POST")
    assert post(url + "?source=test", b"{}")[0] == 202  # a query string is fine
    threads = {t.name for t in threading.enumerate()}
    assert f"streamlearn-http-ingest {url}" in threads
    source.close()
    source.close()  # idempotent
    assert f"streamlearn-http-ingest {url}" not in {t.name for t in threading.enumerate()}
    with pytest.raises(urllib.error.URLError):
        post(url, b"{}")
