from helsegraf.cli import main

main()
