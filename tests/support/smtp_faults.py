"""An aiosmtpd handler that stores mail in a Maildir, like aiosmtpd's own
Mailbox, but can misbehave the way real relays do, for the delivery tests
(tests/delivery.rs, driven through tests/support/smtp.rs).

The mode is read from the file CONTROL/mode at each message, so a test can
change it while the server runs:

    accept   store the message, answer 250
    refuse   answer 451 (a temporary failure) and store nothing
    drop     store the message, then cut the connection before answering
    stall    answer nothing for an hour (the client must give up)

Every message is recorded in CONTROL/events as `MODE MESSAGE-ID`, one line
each, written before the answer.
"""

import asyncio
import email
import inspect
import os

from aiosmtpd.handlers import Mailbox


class Faulty(Mailbox):
    def __init__(self, mail_dir, control_dir):
        super().__init__(mail_dir)
        self.control_dir = control_dir

    def mode(self):
        try:
            with open(os.path.join(self.control_dir, "mode")) as f:
                return f.read().strip() or "accept"
        except FileNotFoundError:
            return "accept"

    def record(self, mode, envelope):
        content = envelope.original_content or b""
        message = email.message_from_bytes(content)
        message_id = (message.get("Message-ID") or "-").strip()
        with open(os.path.join(self.control_dir, "events"), "a") as f:
            f.write(f"{mode} {message_id}\n")
            f.flush()
            os.fsync(f.fileno())

    async def handle_DATA(self, server, session, envelope):
        mode = self.mode()
        self.record(mode, envelope)
        if mode == "refuse":
            return "451 4.3.0 try again later"
        if mode == "stall":
            await asyncio.sleep(3600)
            return "451 4.3.0 too slow"
        status = super().handle_DATA(server, session, envelope)
        if inspect.isawaitable(status):
            status = await status
        if mode == "drop":
            server.transport.abort()
        return status

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 2:
            parser.error("Faulty needs the Maildir and the control directory")
        return cls(args[0], args[1])
