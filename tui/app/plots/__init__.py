"""The plots: what they draw, computed with numpy only (axes: ticks and values for plotext;
curves: the loss curve and the fit; loss_surface: the surface and its view), the plot panel
that draws it (plot_panel; its lens and dial in plot_modes, its colours and titles in
drawing), and the one module that uses plotext's private API
(plotext_adapter)."""
