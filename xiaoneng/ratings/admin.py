# Ratings and surveys are handled in the workbench through the services; nothing to configure here.
