from . import btyd
