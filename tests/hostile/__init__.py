"""A hostile web served on 127.0.0.1: every case must fail alone, fast and clearly."""
