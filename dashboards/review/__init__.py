"""« Bilan annuel de la convention »: the figures the steering committee reviews once a year,
as tables (figures.py), rendered to PDF (pdf.py) and to XLSX (xlsx.py) from the same tables,
so that both say the same thing."""
