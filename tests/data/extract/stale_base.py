"""Two versions of one module: the head renamed and added parameters."""


def connect(host, port=5432):
    """Open a connection.

    Args:
        host: Server name.
        port: TCP port.
    """
    return (host, port)


def send(sock, payload):
    """Send a payload.

    :param sock: The socket.
    :param payload: Bytes to send.
    """
    sock.sendall(payload)


def close(sock):
    """Close the socket politely."""
    sock.close()


class Pool:
    def acquire(self, timeout):
        """Take a connection from the pool.

        Parameters
        ----------
        timeout : float
            Seconds to wait.
        """
        return self.items.pop()
