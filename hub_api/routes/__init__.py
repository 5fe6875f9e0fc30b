"""One router per resource; every router but health requires a signed-in operator."""
