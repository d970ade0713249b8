# Rectifications are handled in the workbench (services only); nothing to configure here.
