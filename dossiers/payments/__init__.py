"""Fee payments through the national payment platform: fees, the platform's signed messages,
applying outcomes once, the electronic receipt (see ../README.md)."""
