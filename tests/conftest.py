import sys
from pathlib import Path

# test helper modules (gold.py, ...) import by name
sys.path.insert(0, str(Path(__file__).parent))
