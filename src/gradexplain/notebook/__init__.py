"""IPython/Jupyter support: the `%%gradexplain` cell magic (needs the "notebook" extra).

Loaded by `%load_ext gradexplain` (gradexplain.load_ipython_extension); nothing here is
imported by `import gradexplain` or by the command line.
"""
