"""A TLS client and server on loopback for the tls() tests, through Python's ssl
module (OpenSSL's SSL_read_ex/SSL_write_ex). Each sets its comm, prints
"ready" (and the server its port) once libssl is loaded, then waits for a
line on stdin before it does anything, so probes are attached first.

  tls-pair.py server CERT KEY RESPONSE_BYTES   answers one request, then exits
  tls-pair.py client PORT REQUEST_BYTES        sends one request, reads the reply, exits

The request is "POST / HTTP/1.1" headers and a body of REQUEST_BYTES; the
response a body of RESPONSE_BYTES; both are made by body() below, which the
test repeats, so it knows every byte."""
import ctypes
import socket
import ssl
import sys


def set_comm(name):
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME


def body(n, seed):
    # printable and different at every offset: a lost or repeated chunk shows
    return bytes((seed + i * 7) % 95 + 32 for i in range(n))


def request(n):
    return b"POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n" % n + body(n, 1)


def response(n):
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % n + body(n, 2)


def recv_http(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def main():
    mode = sys.argv[1]
    if mode == "server":
        cert, key, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
        set_comm("tls-server")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        print(lsock.getsockname()[1], flush=True)
        print("ready", flush=True)
        sys.stdin.readline()
        conn, _ = lsock.accept()
        with ctx.wrap_socket(conn, server_side=True) as s:
            recv_http(s)
            s.sendall(response(n))
    else:
        port, n = int(sys.argv[2]), int(sys.argv[3])
        set_comm("tls-client")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        print("ready", flush=True)
        sys.stdin.readline()
        with ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost") as s:
            s.sendall(request(n))
            got = recv_http(s)
        sys.stdout.write("%d\n" % len(got))


main()
