"""Register pages: lists, rows, review, the 分包 view; each helper module owns its URLs."""
