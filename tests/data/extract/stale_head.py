"""Two versions of one module: the head renamed and added parameters."""


def connect(hostname, port=5432, *, ssl=False):
    """Open a connection.

    Args:
        host: Server name.
        port: TCP port.
    """
    return (hostname, port, ssl)


def send(sock, payload, *args, **kwargs):
    """Send a payload.

    :param sock: The socket.
    :param payload: Bytes to send.
    """
    sock.sendall(payload, *args, **kwargs)


def close(sock, force=False):
    """Close the socket politely."""
    sock.close()


class Pool:
    def acquire(self, timeout: float = 1.0):
        """Take a connection from the pool.

        Parameters
        ----------
        timeout : float
            Seconds to wait.
        """
        return self.items.pop()

    def release(self, conn):
        """Give a connection back.

        Args:
            connection: The connection.
        """
        self.items.append(conn)
