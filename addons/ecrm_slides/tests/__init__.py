from . import test_slides
