"""Where letters come from: the practice's IMAP mailbox and its drop folder."""
