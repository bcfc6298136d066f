"""``python -m pmkt_lessons.serving --model-dir DIR``: run the lesson 22 service with uvicorn."""

import sys

from .server import main

sys.exit(main())
