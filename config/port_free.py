"""`python config/port_free.py run 8000`: before `make run` or `make serve` sets anything up, is the
port it will serve on free? If not, say so and name a free one to choose instead. Standard
library only, in Vietnamese (the archive's language): it runs before the virtualenv exists."""

import errno
import socket
import sys


def bind_error(port: int) -> int:
    """0 when the servers could listen on 127.0.0.1:port, else the errno binding it gives."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as runserver and gunicorn bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            return error.errno or -1  # binding always gives one
    return 0


def main(target: str, port: str) -> int:
    if not port.isdigit() or not 0 < int(port) < 65536:
        print(f"PORT={port} không phải số cổng: hãy chọn một số từ 1024 đến 65535, ví dụ make {target} PORT=8001.")
        return 2
    error = bind_error(int(port))
    if not error:
        return 0
    if error == errno.EACCES:
        print(f"Cổng {port} chỉ dành cho quản trị hệ thống, nên chưa cài đặt hay chạy gì.")
    else:
        print(
            f"Cổng {port} đang có chương trình khác dùng (có thể là một “make {target}” khác), "
            "nên chưa cài đặt hay chạy gì."
        )
    spare = next((p for p in range(max(int(port), 1023) + 1, 65536) if not bind_error(p)), None)
    print(f"Chọn cổng khác, ví dụ: make {target} PORT={spare}")
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
