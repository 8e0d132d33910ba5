"""Mail sources: alert e-mails read from IMAP, a Maildir or an mbox, parsed per sender."""
