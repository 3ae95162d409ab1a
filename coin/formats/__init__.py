"""Local date and number formats (``FORMAT_MODULE_PATH``), where Django's defaults do not fit."""
