"""Domain: plain values and pure rules (money, numbers, masking, types); no I/O."""
