// The tool's version, written into generated files and exported models.

export const VERSION = '0.1.0';
