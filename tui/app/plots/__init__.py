"""The plots: what they draw, computed with numpy only (plotdata), the plot panel that draws it
(plot_panel), and the one module that uses plotext's private API (plotext_adapter)."""
