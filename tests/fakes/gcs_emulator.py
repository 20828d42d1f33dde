"""gcp-storage-emulator as real GCS answers its XML API, for clients that rely on it (obstore).

Run as ``python -m tests.fakes.gcs_emulator --port P --bucket B``. The emulator's XML API (PUT/GET
``/{bucket}/{object}``, what signed URLs and obstore use) leaves out what real GCS always sends: an
ETag and Last-Modified on uploads and downloads, and HEAD. This launcher adds those three and
nothing else; storage, ranges and the JSON API are the emulator's own.
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import logging
import time

from gcp_storage_emulator import server as emu_server
from gcp_storage_emulator.handlers import objects


def _with_object_headers(handler):
    def wrapped(request, response, storage, *args, **kwargs):
        handler(request, response, storage, *args, **kwargs)
        try:
            obj = storage.get_file_obj(request.params["bucket_name"], request.params["object_id"])
        except Exception:  # not found: the handler already set the status
            return
        md5 = obj.get("md5Hash")
        response["ETag"] = '"{}"'.format(base64.b64decode(md5).hex() if md5 else obj.get("generation", "0"))
        response["Last-Modified"] = email.utils.formatdate(time.time(), usegmt=True)

    return wrapped


def _patch() -> None:
    objects.xml_upload = _with_object_headers(objects.xml_upload)
    objects.download = _with_object_headers(objects.download)
    # The routing table captured the originals; point it at the wrapped ones.
    routes = []
    for regex, methods in emu_server.HANDLERS:
        methods = {m: (getattr(objects, f.__name__) if getattr(f, "__module__", "") == objects.__name__
                       and f.__name__ in ("xml_upload", "download") else f) for m, f in methods.items()}
        routes.append((regex, methods))
    emu_server.HANDLERS = tuple(routes)

    def do_HEAD(self):  # noqa: N802 - http.server's naming
        emu_server.Router(self).handle(emu_server.GET)

    emu_server.RequestHandler.do_HEAD = do_HEAD
    close = emu_server.Response.close

    def close_without_body_on_head(self):
        if self._handler.command != "HEAD":
            return close(self)
        self._handler.send_response(self.status.value, self.status.phrase)
        for key, value in self._headers.items():
            self._handler.send_header(key, value)
        body = self._content.encode("utf-8") if isinstance(self._content, str) else self._content
        self._handler.send_header("Content-Length", str(len(body)))
        self._handler.end_headers()

    emu_server.Response.close = close_without_body_on_head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    _patch()
    srv = emu_server.create_server(args.host, args.port, in_memory=True, default_bucket=args.bucket)
    srv.start()
    print(f"gcs emulator on http://{args.host}:{args.port} bucket {args.bucket}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
