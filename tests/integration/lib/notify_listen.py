"""Listens on an AF_UNIX datagram socket as systemd's NOTIFY_SOCKET would and writes every
datagram received, one per line (newlines inside a datagram become ' | '), to the output file
until killed. Usage: notify_listen.py SOCKET_PATH OUT_FILE READY_FILE"""
import os
import socket
import sys

path, out, ready = sys.argv[1:4]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
open(ready, "w").close()
with open(out, "a", buffering=1) as f:
    while True:
        data = sock.recv(4096).decode("utf-8", "replace")
        f.write(data.replace("\n", " | ") + "\n")
