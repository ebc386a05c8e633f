from ninja import NinjaAPI

api = NinjaAPI(title="Arrears API", version="1")
