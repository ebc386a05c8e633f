from django.apps import AppConfig


class BookConfig(AppConfig):
    name = "arrears.book"
    label = "book"
    verbose_name = "Loan book"
