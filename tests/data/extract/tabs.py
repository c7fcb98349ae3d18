"""Tab-indented module, as some older projects still are."""

import os


class Walker:
	"""Walk a directory tree."""

	def __init__(self, root):
		self.root = root

	def files(self, suffix=".py"):
		for dirpath, _, names in os.walk(self.root):
			for name in names:
				if name.endswith(suffix):
					yield os.path.join(dirpath, name)

	def count(self, suffix=".py"): return sum(1 for _ in self.files(suffix))


def main(argv):
	walker = Walker(argv[0])
	for path in walker.files():
		print(path)
	return 0
