"""Cell meetings, attendance and tasks (sinh hoạt chi bộ)."""
