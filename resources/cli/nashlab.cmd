@echo off
rem The `nashlab` command of an installed Nashlab (Windows). It runs the app's built command line,
rem out\main\cli.js inside resources\app.asar, with Nashlab.exe as plain Node (ELECTRON_RUN_AS_NODE=1).
rem Add this folder (resources\cli in the install folder) to PATH. See docs/packaging.md.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Nashlab.exe" "%~dp0..\app.asar\out\main\cli.js" %*
exit /b %ERRORLEVEL%
