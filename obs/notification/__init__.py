"""notification-manager (KubeSphere) Receivers and Configs from channels: credentials, selectors, objects."""
