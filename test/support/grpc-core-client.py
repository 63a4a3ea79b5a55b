"""Calls a gRPC server through gRPC's C core (Debian's python3-grpcio), for interop tests.

Reads from stdin a JSON object {"port": N, "calls": [...]}; each call is
{"path": "/pkg.Service/Method", "request": "<hex>", "kind": "unary" | "stream",
 "timeout": seconds, "metadata": [[key, value], ...] (a key ending in -bin takes hex),
 "repeat": n (unary: the call n times, the last one reported), "take": n (stream: messages read, then cancelled)}.
Writes to stdout one JSON list, per call: {"code", "details", "replies": [hex...], "trailers": [[key, value-or-hex]]}.
"""
import json
import sys

import grpc


def metadata_of(pairs):
    return [(k, bytes.fromhex(v) if k.endswith("-bin") else v) for k, v in pairs]


def pairs_of(metadata):
    return [[k, v.hex() if isinstance(v, bytes) else v] for k, v in (metadata or [])]


def main():
    job = json.load(sys.stdin)
    options = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
    channel = grpc.insecure_channel("127.0.0.1:%d" % job["port"], options=options)
    out = []
    for call in job["calls"]:
        request = bytes.fromhex(call["request"])
        metadata = metadata_of(call.get("metadata", []))
        timeout = call.get("timeout", 10)
        try:
            if call.get("kind", "unary") == "unary":
                method = channel.unary_unary(call["path"])
                for _ in range(call.get("repeat", 1)):
                    reply, state = method.with_call(request, timeout=timeout, metadata=metadata)
                out.append({"code": "OK", "details": "", "replies": [reply.hex()], "trailers": pairs_of(state.trailing_metadata())})
            else:
                stream = channel.unary_stream(call["path"])(request, timeout=timeout, metadata=metadata)
                replies = []
                for reply in stream:
                    replies.append(reply.hex())
                    if len(replies) >= call.get("take", 1):
                        break
                stream.cancel()
                out.append({"code": "OK", "details": "", "replies": replies, "trailers": []})
        except grpc.RpcError as err:
            out.append({"code": err.code().name, "details": err.details(), "replies": [],
                        "trailers": pairs_of(err.trailing_metadata())})
    channel.close()
    json.dump(out, sys.stdout)


main()
