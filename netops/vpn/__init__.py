"""VPN accounts (WireGuard, OpenVPN): keys, client configurations, endpoint configuration."""
