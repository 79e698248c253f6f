"""`dossier serve` itself (granian): behind nginx on this machine, the client is the
address X-Forwarded-For names, so the per-address limits count each client apart."""

import httpx

from backend.publication.routes import PUBLIC_PER_ADDRESS


def test_the_client_is_the_address_the_proxy_forwards(live_server: str) -> None:
    allowed, _ = PUBLIC_PER_ADDRESS
    with httpx.Client(base_url=live_server) as client:
        def results(address: str) -> int:
            return client.get("/api/public/results", headers={"x-forwarded-for": address}).status_code

        assert [results("203.0.113.7") for _ in range(allowed)] == [200] * allowed
        assert results("203.0.113.7") == 429  # that client has had its share
        assert results("203.0.113.8") == 200  # another client behind the same proxy has not
