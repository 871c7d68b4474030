from . import test_interests
