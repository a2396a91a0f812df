from urbanagenda.cli.main import app

app()
