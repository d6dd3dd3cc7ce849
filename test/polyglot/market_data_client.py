"""A Python gRPC client of ibrpc, as a Python user writes one: Debian's grpcio and stubs generated from proto/.

Usage: market_data_client.py HOST:PORT (PYTHONPATH holds the generated ibrpc/v1/*_pb2*.py and status_pb2.py).
Prints one JSON line per finding; test/polyglot/python-grpcio.test.ts reads them.
"""

import json
import sys

import grpc

from google.rpc import error_details_pb2, status_pb2
from ibrpc.v1 import common_pb2, market_data_pb2, market_data_pb2_grpc


def say(**fields):
    print(json.dumps(fields), flush=True)


def main(address):
    with grpc.insecure_channel(address) as channel:
        market_data = market_data_pb2_grpc.MarketDataServiceStub(channel)

        # A stream of ticks: read until the bid (1), ask (2) and last (4) have a price.
        aapl = common_pb2.Contract(symbol="AAPL", sec_type="STK", exchange="SMART", currency="USD")
        stream = market_data.ReqMktData(market_data_pb2.ReqMktDataRequest(contract=aapl), timeout=20)
        seen = {}
        for response in stream:
            if response.WhichOneof("event") == "tick_price" and response.tick_price.HasField("price"):
                seen[response.tick_price.tick_type] = response.tick_price.price
            if all(t in seen for t in (1, 2, 4)):
                break
        stream.cancel()
        say(kind="ticks", bid=seen.get(1), ask=seen.get(2), last=seen.get(4))

        # An error: IB's code and message arrive in a google.rpc.ErrorInfo of the status details.
        unknown = common_pb2.Contract(symbol="NOSUCHSYM", sec_type="STK", exchange="SMART", currency="USD")
        try:
            for _ in market_data.ReqMktData(market_data_pb2.ReqMktDataRequest(contract=unknown), timeout=20):
                pass
            say(kind="error", code=None)
        except grpc.RpcError as err:
            details = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
            info = {}
            if details:
                status = status_pb2.Status.FromString(details)
                for any_detail in status.details:
                    if any_detail.type_url.endswith("google.rpc.ErrorInfo"):
                        error_info = error_details_pb2.ErrorInfo.FromString(any_detail.value)
                        info = {"reason": error_info.reason, "domain": error_info.domain, **error_info.metadata}
            say(kind="error", code=err.code().name, message=err.details(), info=info)


if __name__ == "__main__":
    main(sys.argv[1])
