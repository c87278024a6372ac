"""Excel exports of the official statistics forms, one module per form (frame.py is shared)."""
