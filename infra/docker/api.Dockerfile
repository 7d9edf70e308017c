# The API node image used by docker-compose.yml. Build context: the repository root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json nuget.config Directory.Build.props Directory.Packages.props ./
COPY infra/nuget-local infra/nuget-local
COPY src src
COPY projections projections
RUN dotnet publish src/MessagePlatform.Api -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
# Not root: the image's unprivileged "app" user (both ports are above 1024).
USER $APP_UID
EXPOSE 8080 1883
ENTRYPOINT ["dotnet", "MessagePlatform.Api.dll"]
